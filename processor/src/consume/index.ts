export { BatchConsumer, pipelineDeps, type BatchConsumerDeps, type BatchConsumerOptions, type BatchPipeline, type Prepared } from './batch-consumer'
