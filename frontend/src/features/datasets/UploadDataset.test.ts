import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import { uploadKind, uploadProblems } from "./UploadDataset";

describe("uploadProblems", () => {
  it("gives the server's own words: its detail unless generic, then each field's message", () => {
    const body = { detail: "The file is not UTF-8.", fields: { file: ["'x.csv': line 2, column 7: byte 0xf6"] } };

    expect(uploadProblems(new ApiError("Could not upload", 400, body))).toEqual([
      "The file is not UTF-8.",
      "'x.csv': line 2, column 7: byte 0xf6",
    ]);
  });

  it("does not repeat a field message the detail already quotes", () => {
    const message = "'r.csv': line 3 has 2 fields but the header has 3";
    const body = { detail: `The file cannot be read: ${message}`, fields: { file: [message] } };

    expect(uploadProblems(new ApiError("Could not upload", 400, body))).toEqual([`The file cannot be read: ${message}`]);
  });

  it("names fields other than the file", () => {
    const body = { detail: "Some fields are invalid.", fields: { name: ["This field may not be blank."] } };

    expect(uploadProblems(new ApiError("Could not upload", 400, body))).toEqual(["name: This field may not be blank."]);
  });

  it("falls back to the rephrased message for other failures", () => {
    expect(uploadProblems(new ApiError("Could not upload: the file is too large.", 413, { detail: "big" }))).toEqual([
      "Could not upload: the file is too large.",
    ]);
  });
});

describe("uploadKind", () => {
  it("takes a .zip as a file dataset and anything else as a table", () => {
    expect(["bundle.zip", "IMAGES.ZIP", "iris.csv", "t.parquet", "zip"].map(uploadKind)).toEqual([
      "file",
      "file",
      "table",
      "table",
      "table",
    ]);
  });
});
