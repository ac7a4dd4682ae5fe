import { describe, expect, it } from "vitest";
import { nodeUrlPath } from "./nodePath";

describe("a node id in a URL", () => {
  it("encodes each segment and keeps the slashes between them", () => {
    expect(nodeUrlPath("split")).toBe("split");
    expect(nodeUrlPath("prep/clean")).toBe("prep/clean");
    expect(nodeUrlPath("a b/c?d#e")).toBe("a%20b/c%3Fd%23e");
  });
});
