import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import { staleMessage } from "./SaveComponentDialog";

describe("saving a component version on a stale base (409)", () => {
  it("names the version saved since and says what to do", () => {
    const error = new ApiError("conflict", 409, { detail: "…", current_version: { number: 4, message: "Median" } });
    expect(staleMessage(error, "Prepare", 3)).toBe(
      "Someone saved version 4 (“Median”) of Prepare since you opened version 3, so yours was not saved. " +
        "Your edits are still on the canvas: note them, go back, accept the update on the node, open it again and redo them.",
    );
  });
});
