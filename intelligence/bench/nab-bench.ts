/**
 * The anomaly scorer's NAB figures alone (the NAB part of `npm run bench -- intelligence`).
 * Usage: npm run bench -- nab
 */
import { nabRows, printTable } from './nab-figures'

printTable(await nabRows())
