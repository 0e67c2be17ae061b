/**
 * The `healthcare` rule pack: the HIPAA Safe Harbor identifiers that can be recognised in text or
 * by field name. Written out with what it does not cover in `core/src/privacy/README.md`; its
 * corpus is `ingest/src/scrub/corpus`.
 */
import { Detectors, type RuleInput } from './rules'

/** Objects whose `name` is a program, device or protocol name, not a person's. */
const technicalParents = [
  'os', 'runtime', 'browser', 'device', 'app', 'gpu', 'culture', 'trace', 'otel', 'cloud_resource', 'response', 'react', 'state',
  'client_os', 'client_browser', 'sdk', 'mechanism', 'packages', 'integrations', 'span', 'spans', 'modules', 'feature_flags', 'flags',
  'signal', 'mach_exception', 'errno', 'ns_error', 'meta',
]

export const healthcarePack: RuleInput[] = [
  {
    id: 'person-names',
    description: 'Names of patients and people in known fields (name, patient, first/last/full name, surname, next of kin)',
    keys: {
      exact: ['name', 'patient', 'nickname', 'guarantor', 'guardian', 'spouse', 'next_of_kin', 'nextofkin', 'emergency_contact', 'display_name', 'displayname'],
      words: ['patient', 'surname'],
      contains: ['firstname', 'lastname', 'fullname', 'givenname', 'familyname', 'middlename', 'maidenname', 'patientname', 'mothersname', 'fathersname'],
      exceptUnder: technicalParents,
      labels: ['patient', 'patient name', 'first name', 'last name', 'full name', 'surname'],
      valueShape: 'name',
    },
  },
  {
    id: 'birth-dates',
    description: 'Dates of birth by key name and in labelled text',
    keys: { contains: ['birth', 'dateofbirth'], words: ['dob', 'born'], labels: ['dob', 'date of birth', 'birth date', 'birthdate'] },
  },
  {
    id: 'patient-dates',
    description: 'Dates tied to a person: admission, discharge, death, service dates',
    keys: { contains: ['admissiondate', 'admitdate', 'dischargedate', 'deathdate', 'dateofdeath', 'servicedate', 'dateofservice'], words: ['dod'] },
  },
  {
    id: 'contact-numbers',
    description: 'Phone, fax, mobile and pager numbers by key name and label',
    keys: {
      words: ['phone', 'fax', 'mobile', 'telephone', 'tel', 'cell', 'cellphone', 'pager', 'msisdn'],
      contains: ['phonenumber', 'faxnumber', 'mobilenumber', 'telephone'],
      labels: ['phone', 'fax', 'tel', 'mobile', 'cell', 'telephone'],
    },
  },
  {
    id: 'postal-addresses',
    description: 'Street addresses, cities, counties and ZIP codes by key name (geographic units smaller than a state)',
    keys: {
      // Not `addr`: native frames carry instruction_addr, image_addr and symbol_addr.
      words: ['street', 'address', 'city', 'county', 'zip', 'zipcode', 'postcode', 'postal'],
      contains: ['streetaddress', 'addressline', 'postalcode', 'zipcode', 'homeaddress', 'mailingaddress'],
      labels: ['address', 'street address', 'home address', 'zip', 'zip code', 'postal code'],
    },
  },
  {
    id: 'medical-identifiers',
    description: 'Medical record, member, beneficiary, policy, account, license, certificate, device and vehicle numbers by key name and labelled value (MRN: 12345678)',
    keys: {
      words: ['mrn', 'npi', 'vin', 'dea', 'acct', 'imei', 'iccid', 'meid', 'hicn', 'mbi'],
      contains: [
        'medicalrecord', 'patientid', 'memberid', 'membernumber', 'beneficiary', 'subscriberid', 'policynumber', 'policyid', 'accountnumber',
        'accountno', 'acctno', 'insuranceid', 'healthplan', 'licensenumber', 'licenseno', 'licencenumber', 'certificatenumber', 'deanumber',
        'vehicleid', 'licenseplate', 'deviceid', 'serialnumber', 'macaddress', 'medicaid', 'medicare',
      ],
      labels: [
        'MRN', 'medical record number', 'medical record', 'patient id', 'member id', 'member number', 'subscriber id', 'beneficiary id',
        'policy number', 'account number', 'acct', 'license number', 'certificate number', 'NPI', 'VIN', 'device id', 'serial number',
        'insurance id', 'health plan id', 'medicaid id', 'medicare id',
      ],
    },
  },
  {
    id: 'biometrics-and-photos',
    description: 'Biometric data and photographs by key name',
    keys: { contains: ['biometric', 'faceimage', 'voiceprint'], words: ['photo', 'photos', 'photograph', 'selfie', 'retina', 'iris'] },
  },
  { id: 'phone-numbers', description: 'Phone and fax numbers: NANP with separators, international +CC forms', value: { detector: Detectors.phoneNumber } },
  { id: 'ip-addresses', description: 'IPv4 and IPv6 addresses in text (loopback and unspecified kept)', value: { detector: Detectors.ipAddress } },
  { id: 'dates-of-birth', description: 'A date within a few characters after born, DOB, date of birth, birthday', value: { detector: Detectors.dateOfBirth } },
  { id: 'street-addresses', description: 'US street addresses: number, street name, street suffix, optional unit; PO boxes', value: { detector: Detectors.usStreetAddress } },
  { id: 'zip-codes', description: 'US ZIP codes after a state code (", MA 02115") and every ZIP+4', value: { detector: Detectors.usZipCode } },
  {
    id: 'url-identifiers',
    description: 'Identifiers in URL paths and query values: runs of 4+ digits, UUIDs and long hex ids, values with @',
    value: { detector: Detectors.urlIdentifiers },
  },
  {
    id: 'hl7v2-segments',
    description: 'HL7 v2 messages in text reduced to segment names and field separators (MSH-9 and MSH-12 kept)',
    value: { detector: Detectors.hl7v2 },
    action: { type: 'remove' },
  },
  {
    id: 'fhir-resources',
    description: 'FHIR JSON resources (objects or JSON text with resourceType) reduced to their structure: keys and resourceType kept, values replaced',
    value: { detector: Detectors.fhir },
  },
]
