/** Workflow entry for tests that run only the housekeeping workflow. */
export { housekeeping } from '../../workflows/housekeeping'
