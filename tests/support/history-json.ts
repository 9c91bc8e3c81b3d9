/**
 * Workflow histories to and from the JSON `temporal workflow show --output json`
 * writes, as `historyToJSON` / `historyFromJSON` in @temporalio/common/lib/proto-utils
 * do, for the recorded histories in tests/fixtures/histories.
 *
 * Why not those two: in our install @temporalio/common and @temporalio/proto each get
 * a nested copy of protobufjs 8 (the top level holds protobufjs 7 for @grpc/proto-loader),
 * and protojson's `type instanceof Type` check fails across the two copies, so both
 * SDK functions throw "type must be a Type". Here protojson comes from the copy
 * @temporalio/proto itself resolves, whatever the layout. Once one protobufjs 8 is
 * shared, the SDK functions work and can replace this module.
 */
import { createRequire } from 'node:module'
import proto from '@temporalio/proto'
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root'

export type History = proto.temporal.api.history.v1.IHistory

type ProtoJson = {
  toJson(type: unknown, message: unknown): unknown
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown
}

const requireFromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'))
const protojson = requireFromProto('protobufjs/ext/protojson') as ProtoJson
// The generated types lack lookupType; patchProtobufRoot is what the SDK uses too.
const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }
const historyType = root.lookupType('temporal.api.history.v1.History')

/** A fetched history (`handle.fetchHistory()`) as indented proto JSON. */
export function historyToJSON(history: History): string {
  const json = protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history))
  return `${JSON.stringify(json, null, 2)}\n`
}

/** A history parsed from proto JSON, ready for `Worker.runReplayHistory`. */
export function historyFromJSON(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('Expected a workflow history: an object with an array of events')
  }
  // Fields a newer server may add are ignored, as the SDK's historyFromJSON does.
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History
}
