import { Detectors, type Detector } from '@faultline/core/privacy'
import { findAwsAccessKeys, findBasicCredentials, findBearerTokens, findPrivateKeys, findUrlPasswords } from './credentials'
import { findFhirValues } from './fhir'
import { findHl7Values } from './hl7'
import { findEmails, findIpAddresses, findUrlIdentifiers } from './network'
import { findPaymentCards, findPhoneNumbers, findUsSsns } from './numbers'
import { findDatesOfBirth, findStreetAddresses, findZipCodes } from './places-and-dates'
import type { TextDetector } from './span'

export { createKeyValueDetector } from './key-value'
export { isFhirResource } from './fhir'
export { isCardNumber, isCardNumberValue, luhn } from './numbers'
export type { SpanSink, TextDetector } from './span'

/** The built-in detector behind each name a rule can reference. */
export const textDetectors: Record<Detector, TextDetector> = {
  [Detectors.privateKey]: findPrivateKeys,
  [Detectors.urlPassword]: findUrlPasswords,
  [Detectors.bearerToken]: findBearerTokens,
  [Detectors.basicCredentials]: findBasicCredentials,
  [Detectors.awsAccessKey]: findAwsAccessKeys,
  [Detectors.paymentCard]: findPaymentCards,
  [Detectors.usSsn]: findUsSsns,
  [Detectors.email]: findEmails,
  [Detectors.phoneNumber]: findPhoneNumbers,
  [Detectors.ipAddress]: findIpAddresses,
  [Detectors.dateOfBirth]: findDatesOfBirth,
  [Detectors.usStreetAddress]: findStreetAddresses,
  [Detectors.usZipCode]: findZipCodes,
  [Detectors.urlIdentifiers]: findUrlIdentifiers,
  [Detectors.hl7v2]: findHl7Values,
  [Detectors.fhir]: findFhirValues,
}

/** A custom rule's linear-time pattern; one capture group that starts or ends the match narrows the span. */
export function patternDetector(regex: RegExp): TextDetector {
  return (text, push) => {
    regex.lastIndex = 0
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      const whole = match[0]
      const group = match[1]
      if (group !== undefined && group !== '' && whole.endsWith(group)) push(match.index + whole.length - group.length, match.index + whole.length)
      else if (group !== undefined && group !== '' && whole.startsWith(group)) push(match.index, match.index + group.length)
      else push(match.index, match.index + whole.length)
      if (whole === '') regex.lastIndex++
    }
  }
}
