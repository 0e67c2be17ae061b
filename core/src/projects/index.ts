export * from './projects'
