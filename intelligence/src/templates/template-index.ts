/**
 * Finds the template a token sequence belongs to: a trie per token count whose edges are
 * template tokens. A constant edge matches the equal token; a variable edge (`<*>`, `uid=<*>,`)
 * matches any token with its key and punctuation. The search tries constant edges first, so the
 * most specific template wins, and stops after a bounded number of steps so crafted templates
 * cannot make one lookup expensive.
 */
import { wildcard } from './tokenize'

export interface Indexed {
  tokens: string[]
}

interface Node<T> {
  constants: Map<string, Node<T>>
  /** Variable edges by their token, with the prefix and suffix a token must carry. */
  variables: Map<string, { prefix: string; suffix: string; node: Node<T> }>
  template?: T
}

const newNode = <T>(): Node<T> => ({ constants: new Map(), variables: new Map() })

/** Whether the template token `pattern` accepts the message token `token`. */
export function tokenMatches(pattern: string, token: string): boolean {
  if (pattern === token) return true
  const at = pattern.indexOf(wildcard)
  if (at < 0) return false
  const prefix = pattern.slice(0, at)
  const suffix = pattern.slice(at + wildcard.length)
  return token.length >= prefix.length + suffix.length && token.startsWith(prefix) && token.endsWith(suffix)
}

export class TemplateIndex<T extends Indexed> {
  readonly #roots = new Map<number, Node<T>>()
  /** Steps one lookup may take per token before it gives up (bounded backtracking). */
  readonly #stepsPerToken: number
  /** A last word on a template whose tokens all accept the message's (the search goes on if no). */
  readonly #accepts: (template: T, tokens: readonly string[]) => boolean

  constructor(options: { stepsPerToken?: number; accepts?: (template: T, tokens: readonly string[]) => boolean } = {}) {
    this.#stepsPerToken = options.stepsPerToken ?? 8
    this.#accepts = options.accepts ?? (() => true)
  }

  /** Adds a template; returns the one already holding these exact tokens, if any (not replaced). */
  insert(template: T): T | undefined {
    let node: Node<T> = this.#roots.get(template.tokens.length) ?? newNode<T>()
    this.#roots.set(template.tokens.length, node)
    for (const token of template.tokens) {
      const at = token.indexOf(wildcard)
      if (at < 0) {
        let child = node.constants.get(token)
        if (!child) {
          child = newNode<T>()
          node.constants.set(token, child)
        }
        node = child
      } else {
        let edge = node.variables.get(token)
        if (!edge) {
          edge = { prefix: token.slice(0, at), suffix: token.slice(at + wildcard.length), node: newNode<T>() }
          node.variables.set(token, edge)
        }
        node = edge.node
      }
    }
    if (node.template && node.template !== template) return node.template
    node.template = template
    return undefined
  }

  remove(template: T): void {
    const path: Array<[Node<T>, string, boolean]> = []
    let node = this.#roots.get(template.tokens.length)
    for (const token of template.tokens) {
      if (!node) return
      const variable = token.includes(wildcard)
      path.push([node, token, variable])
      node = variable ? node.variables.get(token)?.node : node.constants.get(token)
    }
    if (!node || node.template !== template) return
    node.template = undefined
    // Prune the branch that now leads nowhere.
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, token, variable] = path[i]!
      const child = variable ? parent.variables.get(token)!.node : parent.constants.get(token)!
      if (child.template || child.constants.size > 0 || child.variables.size > 0) break
      if (variable) parent.variables.delete(token)
      else parent.constants.delete(token)
    }
    const root = this.#roots.get(template.tokens.length)
    if (root && !root.template && root.constants.size === 0 && root.variables.size === 0) this.#roots.delete(template.tokens.length)
  }

  /** The template holding exactly these tokens. */
  exact(tokens: readonly string[]): T | undefined {
    let node = this.#roots.get(tokens.length)
    for (const token of tokens) {
      if (!node) return undefined
      node = token.includes(wildcard) ? node.variables.get(token)?.node : node.constants.get(token)
    }
    return node?.template
  }

  /** The template whose every token accepts the message's token at its position. */
  find(tokens: readonly string[]): T | undefined {
    const root = this.#roots.get(tokens.length)
    if (!root) return undefined
    const search = { tokens, budget: this.#stepsPerToken * (tokens.length + 1) }
    return this.#visit(root, 0, search)
  }

  #visit(node: Node<T>, i: number, search: { tokens: readonly string[]; budget: number }): T | undefined {
    if (--search.budget < 0) return undefined
    const { tokens } = search
    if (i === tokens.length) return node.template && this.#accepts(node.template, tokens) ? node.template : undefined
    const token = tokens[i]!
    const constant = node.constants.get(token)
    if (constant) {
      const found = this.#visit(constant, i + 1, search)
      if (found) return found
    }
    if (node.variables.size === 0) return undefined
    // A message's own variable token meets the same edge first.
    const same = node.variables.get(token)
    if (same) {
      const found = this.#visit(same.node, i + 1, search)
      if (found) return found
    }
    for (const [key, edge] of node.variables) {
      if (search.budget < 0) return undefined
      if (key === token) continue
      if (token.length >= edge.prefix.length + edge.suffix.length && token.startsWith(edge.prefix) && token.endsWith(edge.suffix)) {
        const found = this.#visit(edge.node, i + 1, search)
        if (found) return found
      }
    }
    return undefined
  }
}
