export * from './projects'
export * from './project-organizations'
