import type { PipelineVersion } from "../../api/types";

/** A save or restore refused with 409 because a teammate saved first: ``current`` is their version. */
export class StaleVersionError extends Error {
  readonly current: PipelineVersion;
  constructor(message: string, current: PipelineVersion) {
    super(message);
    this.current = current;
  }
}
