/**
 * Escalation policies: steps, each after its `wait` (counted from the previous step), notify a
 * receiver and page users or whoever is on call for a schedule; the whole policy repeats up to
 * `repeat` more times. Acknowledging the alert group stops it; an acknowledged group that stays
 * unresolved is re-announced every `ack_reminder`.
 */
import { z } from 'zod'
import { duration } from '../config/duration'
import { onCallAt, type ScheduleConfig, type UserConfig } from './schedules'

export const escalationPolicySchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - only'),
    steps: z
      .array(
        z
          .object({
            wait: duration(0, 24 * 3_600_000).default(0),
            receiver: z.string().min(1).max(100),
            users: z.array(z.string()).max(50).default([]),
            schedule: z.string().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    repeat: z.number().int().min(0).max(10).default(0),
    ack_reminder: duration(60_000, 7 * 86_400_000).optional(),
  })
  .strict()

export type EscalationPolicy = z.infer<typeof escalationPolicySchema>

/** Where a group is in its policy: the next step to run and when. */
export interface EscalationState {
  policy: string
  round: number
  step: number
  nextAt: number
  /** Set once the policy ran out. */
  done?: boolean
  remindAt?: number
}

export function startEscalation(policy: EscalationPolicy, firedAt: number): EscalationState {
  return { policy: policy.name, round: 0, step: 0, nextAt: firedAt + policy.steps[0]!.wait }
}

/** The state after running the current step at `now`. */
export function advanceEscalation(policy: EscalationPolicy, state: EscalationState, now: number): EscalationState {
  const nextStep = state.step + 1
  if (nextStep < policy.steps.length) return { ...state, step: nextStep, nextAt: now + policy.steps[nextStep]!.wait }
  if (state.round < policy.repeat) return { ...state, round: state.round + 1, step: 0, nextAt: now + policy.steps[0]!.wait }
  return { ...state, done: true }
}

/** The users a step pages at `at`: its own users and the schedule's on-call user. */
export function stepTargets(step: EscalationPolicy['steps'][number], schedules: readonly ScheduleConfig[], users: readonly UserConfig[], at: number): UserConfig[] {
  const names = [...step.users]
  const schedule = step.schedule ? schedules.find((s) => s.name === step.schedule) : undefined
  const onCall = schedule ? onCallAt(schedule, at) : undefined
  if (onCall) names.push(onCall)
  return [...new Set(names)].map((name) => users.find((u) => u.name === name) ?? { name })
}
