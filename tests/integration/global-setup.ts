import { loadStackEnv } from '../support/stack-env'

/** Integration tests share the test stack's services; fail fast with a clear message without them. */
export default function setup(): void {
  loadStackEnv()
}
