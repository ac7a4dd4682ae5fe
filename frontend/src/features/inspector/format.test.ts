import { describe, expect, it } from "vitest";
import { formatBytes, formatCell, formatCount, formatNumber, formatPercent, formatStat } from "./format";

describe("formatting", () => {
  it("keeps whole numbers whole and rounds the rest to significant digits", () => {
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(0.964912)).toBe("0.9649");
    expect(formatNumber(119059.5, 7)).toBe("119,059.5");
    expect(formatNumber(0.00001234)).toBe("1.23e-5");
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("∞");
  });

  it("shows grid cells in full, missing ones as null", () => {
    expect(formatCell(0.1 + 0.2)).toBe("0.3");
    expect(formatCell(1000.5)).toBe("1000.5");
    expect(formatCell(null)).toBeNull();
    expect(formatCell(true)).toBe("true");
    expect(formatCell({ a: 1 })).toBe('{"a":1}');
  });

  it("formats counts, shares, sizes and mixed statistics", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatPercent(3, 120)).toBe("2.5%");
    expect(formatPercent(1, 10000)).toBe("<0.1%");
    expect(formatPercent(60, 120)).toBe("50%");
    expect(formatBytes(120_000)).toBe("117 KB");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatStat("2024-01-01T00:00:00")).toBe("2024-01-01T00:00:00");
  });
});
