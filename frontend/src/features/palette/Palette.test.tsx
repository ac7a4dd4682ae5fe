import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { module } from "../../test/fixtures";
import { Palette } from "./Palette";

const LONG = "Two-Class Boosted Decision Tree With Calibrated Probabilities";

describe("the palette", () => {
  it("gives every entry its full name in the tooltip, and lets a long name wrap rather than end in an ellipsis", () => {
    const modules = [
      module("long", { name: LONG, category: "Machine Learning Algorithms", description: "Gradient boosting." }),
      module("bare", { name: "Bare", category: "Machine Learning Algorithms", description: "" }),
    ];
    render(
      <MemoryRouter>
        <Palette modules={modules} datasets={[]} datasetModules={[]} onAdd={() => {}} />
      </MemoryRouter>,
    );

    const name = screen.getByText(LONG);
    expect(name).toHaveClass("palette__name");
    expect(name.closest("[title]")?.getAttribute("title")).toBe(`${LONG}\nGradient boosting.\n\nIn: none\nOut: none`);
    expect(screen.getByText("Bare").closest("[title]")?.getAttribute("title")).toBe("Bare\n\nIn: none\nOut: none");
  });
});
