export * from './matcher'
export { checkRegexSafety, maxRegexLength, type RegexVerdict } from './regex-safety'
