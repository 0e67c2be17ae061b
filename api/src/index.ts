export * from './app'
export * from './permissions'
export { parseSmtpUrl, sendMail, writeSmtpSettings } from './services/mailer'
