import onnxProto from 'onnx-proto'
import { ModelError } from './errors'

const { onnx } = onnxProto

export const Activation = { none: 'none', relu: 'relu', sigmoid: 'sigmoid' } as const
export type Activation = (typeof Activation)[keyof typeof Activation]

/** A fully connected layer; `weights` is row-major [inputSize, outputSize] (y = x·W + b). */
export interface DenseLayer {
  inputSize: number
  outputSize: number
  weights: Float32Array
  bias?: Float32Array
  activation: Activation
}

export interface DenseModelSpec {
  /** Written to metadata `name`; the loader reports it. */
  name: string
  /** Written to metadata `version`; recorded with every score. */
  version: string
  inputName?: string
  outputName?: string
  /** Applied before the first layer: (x - mean) / scale, per column. */
  standardize?: { mean: Float32Array; scale: Float32Array }
  layers: DenseLayer[]
  /** The input width when there are no layers (a model that only normalizes). */
  inputWidth?: number
  /** Appends LpNormalization(p=2) over the feature axis (embeddings). */
  l2Normalize?: boolean
  metadata?: Record<string, string>
}

// ONNX opset 13 / IR 7 is supported by every onnxruntime release of the last years.
const opsetVersion = 13
const irVersion = 7
const floatType = onnx.TensorProto.DataType.FLOAT

function floatTensor(name: string, dims: number[], data: Float32Array): onnxProto.onnx.ITensorProto {
  // raw_data is little-endian bytes; copying avoids aliasing a larger backing buffer.
  const raw = new Uint8Array(data.byteLength)
  raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  return { name, dims, dataType: floatType, rawData: raw }
}

function valueInfo(name: string, width: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: floatType, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  }
}

const width0 = (spec: DenseModelSpec): number => spec.layers[0]?.inputSize ?? spec.inputWidth!

function checkSpec(spec: DenseModelSpec): number {
  const first = spec.layers[0]
  if (!first && !(spec.inputWidth && (spec.standardize || spec.l2Normalize))) {
    throw new ModelError('invalid_spec', `model ${spec.name} has no layers (and no input width and normalization instead)`)
  }
  let width = first?.inputSize ?? spec.inputWidth!
  for (const [index, layer] of spec.layers.entries()) {
    if (layer.inputSize !== width) throw new ModelError('invalid_spec', `layer ${index} expects ${layer.inputSize} inputs, previous gives ${width}`)
    if (layer.weights.length !== layer.inputSize * layer.outputSize) throw new ModelError('invalid_spec', `layer ${index} weights have ${layer.weights.length} values`)
    if (layer.bias && layer.bias.length !== layer.outputSize) throw new ModelError('invalid_spec', `layer ${index} bias has ${layer.bias.length} values`)
    width = layer.outputSize
  }
  if (spec.standardize && (spec.standardize.mean.length !== width0(spec) || spec.standardize.scale.length !== width0(spec))) {
    throw new ModelError('invalid_spec', 'standardize vectors must match the input width')
  }
  return width
}

/** Serializes a stack of dense layers as an ONNX ModelProto (MatMul, Add, Relu, Sigmoid, LpNormalization). */
export function buildDenseModel(spec: DenseModelSpec): Uint8Array {
  const outputWidth = checkSpec(spec)
  const inputName = spec.inputName ?? 'input'
  const outputName = spec.outputName ?? 'output'
  const inputWidth = width0(spec)
  const nodes: onnxProto.onnx.INodeProto[] = []
  const initializers: onnxProto.onnx.ITensorProto[] = []
  let current = inputName
  let step = 0
  const next = (label: string): string => `${label}_${step++}`
  const emit = (opType: string, inputs: string[], label: string, attribute?: onnxProto.onnx.IAttributeProto[]): string => {
    const out = next(label)
    nodes.push({ opType, input: inputs, output: [out], name: out, attribute: attribute ?? [] })
    return out
  }

  if (spec.standardize) {
    initializers.push(floatTensor('std_mean', [inputWidth], spec.standardize.mean))
    initializers.push(floatTensor('std_scale', [inputWidth], spec.standardize.scale))
    current = emit('Div', [emit('Sub', [current, 'std_mean'], 'centered'), 'std_scale'], 'standardized')
  }
  for (const [index, layer] of spec.layers.entries()) {
    initializers.push(floatTensor(`w${index}`, [layer.inputSize, layer.outputSize], layer.weights))
    current = emit('MatMul', [current, `w${index}`], `matmul${index}`)
    if (layer.bias) {
      initializers.push(floatTensor(`b${index}`, [layer.outputSize], layer.bias))
      current = emit('Add', [current, `b${index}`], `add${index}`)
    }
    if (layer.activation === Activation.relu) current = emit('Relu', [current], `relu${index}`)
    if (layer.activation === Activation.sigmoid) current = emit('Sigmoid', [current], `sigmoid${index}`)
  }
  if (spec.l2Normalize) {
    current = emit('LpNormalization', [current], 'l2', [
      { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
      { name: 'p', type: onnx.AttributeProto.AttributeType.INT, i: 2 },
    ])
  }
  // The graph output must carry the public name: rename the last node's output.
  const last = nodes[nodes.length - 1]!
  last.output = [outputName]

  const metadata = { ...spec.metadata, name: spec.name, version: spec.version }
  const model = onnx.ModelProto.create({
    irVersion,
    producerName: 'faultline',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: opsetVersion }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.name,
      node: nodes,
      initializer: initializers,
      input: [valueInfo(inputName, inputWidth)],
      output: [valueInfo(outputName, outputWidth)],
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

/** Reads the metadata properties back from serialized model bytes. */
export function readModelMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes)
  const entries = model.metadataProps.map((entry) => [entry.key, entry.value] as const)
  return Object.fromEntries(entries)
}
