import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ModuleDoc } from "./ModuleDoc";

describe("a module's docstring", () => {
  it("shows literals as code, paragraphs and bullet lists", () => {
    const text = "Splits rows: the first output gets ``round(fraction x rows)`` rows.\n\nModes:\n\n- Split Rows: by a `fraction`\n- Regular Expression: by a\n  pattern on one column";

    const { container } = render(<ModuleDoc text={text} />);

    expect(screen.getByText("round(fraction x rows)").tagName).toBe("CODE");
    expect(screen.getByText("fraction").tagName).toBe("CODE");
    expect(container.querySelectorAll("p")).toHaveLength(2);
    expect([...container.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "Split Rows: by a fraction",
      "Regular Expression: by a pattern on one column",
    ]);
    expect(container.textContent).not.toContain("``");
  });

  it("never renders the text as HTML", () => {
    const { container } = render(<ModuleDoc text={"<img src=x onerror=alert(1)> and ``<b>``"} />);

    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toContain("<img src=x onerror=alert(1)>");
  });
});
