/** Bodies the server answers with, shaped as designer/runs/views.py and designer/engine/profile.py build them. */
import type { FigureSpec, TablePage, TableProfile } from "../types";

export const COLUMNS = [
  { name: "age", type: "integer" },
  { name: "income", type: "number" },
  { name: "city", type: "string" },
];

/** Rows of a 120-row table: age = 20 + i, income = 1000.5 * i, city missing on every 7th row. */
export function tablePage(offset: number, limit: number, total = 120): TablePage {
  const rows = [];
  for (let i = offset; i < Math.min(offset + limit, total); i++) {
    rows.push([20 + i, 1000.5 * i, i % 7 === 0 ? null : `city ${i % 3}`]);
  }
  return { total, offset, limit, columns: COLUMNS, rows };
}

export const PROFILE: TableProfile = {
  rows: 120,
  columns: [
    {
      name: "age", type: "integer", missing: 0, distinct: 120, min: 20, max: 139, mean: 79.5, std: 34.786,
      histogram: { edges: [20, 80, 139], counts: [60, 60] },
    },
    {
      name: "income", type: "number", missing: 3, distinct: 117, min: 0, max: 119059.5, mean: 59529.75, std: 34805.1,
      histogram: { edges: [0, 60000, 119059.5], counts: [58, 59] },
    },
    {
      name: "city", type: "string", missing: 18, distinct: 3,
      top: [{ value: "city 1", count: 35 }, { value: "city 2", count: 34 }, { value: "city 0", count: 33 }],
    },
  ],
};

export function figure(title: string, type = "bar"): FigureSpec {
  return { data: [{ type, x: [1, 2], y: [3, 4] }], layout: { title: { text: title }, height: 380 } };
}
