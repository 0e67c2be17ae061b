import { Limits, dropUndefined, isRecord, readCount, readRecord, readString } from './coerce'
import { readAddress } from './addresses'
import { keepEnds } from './frames'
import type { NormalizedDebugImage, NormalizedDebugMeta } from './types'

/** An iOS app loads 300–600 images; every one of them is kept up to this many. */
const maxDebugImages = 1000

function readImage(raw: unknown): NormalizedDebugImage | undefined {
  if (!isRecord(raw)) return undefined
  const image = dropUndefined({
    type: readString(raw.type, 32),
    // Legacy `apple` images name the id `uuid` and the file `name`; ProGuard mappings use `uuid`.
    debugId: readString(raw.debug_id ?? raw.id ?? raw.uuid, 64),
    debugFile: readString(raw.debug_file, Limits.string),
    codeId: readString(raw.code_id, 128),
    codeFile: readString(raw.code_file ?? raw.name, Limits.string),
    imageAddr: readAddress(raw.image_addr),
    imageSize: readCount(raw.image_size),
    imageVmaddr: readAddress(raw.image_vmaddr),
    arch: readString(raw.arch, 32),
  })
  return Object.keys(image).length > 0 ? image : undefined
}

/** Sentry's `debug_meta`: the binaries, source maps and mappings the stacks refer to. */
export function readDebugMeta(raw: unknown): NormalizedDebugMeta | undefined {
  if (!isRecord(raw)) return undefined
  const { kept, omitted } = keepEnds(Array.isArray(raw.images) ? raw.images : [], maxDebugImages)
  const images = kept.map(readImage).filter((image) => image !== undefined)
  const sdkInfo = readRecord(raw.sdk_info, 2)
  const meta = dropUndefined({
    images,
    imagesOmitted: omitted > 0 ? omitted : undefined,
    sdkInfo: sdkInfo && Object.keys(sdkInfo).length > 0 ? sdkInfo : undefined,
  })
  return meta.images.length > 0 || meta.sdkInfo ? meta : undefined
}
