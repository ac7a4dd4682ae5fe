/**
 * The asset library on the left: the workspace's datasets (tables and zip files), then the modules
 * grouped by category. Drag an entry onto the canvas (or press Enter on it) to add a node.
 */
import { memo, useMemo, useState, type DragEvent } from "react";
import { Link } from "react-router";
import type { Dataset, Module } from "../../api/types";
import { datasetIcon, datasetShape } from "../datasets/shape";
import { DND_MIME, type PaletteItem } from "./dnd";
import { COMPONENTS_CATEGORY, categoryColour, componentsFirst, filterDatasets, groupModules, initials } from "./group";
import { ComponentIcon } from "../components/ComponentIcon";
import { isComponentModule } from "../components/types";
import "./palette.css";

interface PaletteProps {
  modules: readonly Module[];
  datasets: readonly Dataset[];
  /** The modules datasets become on the canvas (Dataset for a table, File Dataset for a zip); not listed themselves. */
  datasetModules: readonly Module[];
  readOnly?: boolean;
  onAdd(item: PaletteItem): void;
  /** Opens "New script component…" (its entry heads the Components section when given and not read-only). */
  onNewScript?(): void;
}

function start(event: DragEvent, item: PaletteItem) {
  event.dataTransfer.setData(DND_MIME, JSON.stringify(item));
  event.dataTransfer.setData("text/plain", item.kind === "module" ? item.module : `dataset:${item.datasetId}`);
  event.dataTransfer.effectAllowed = "copy";
}

export const Palette = memo(function Palette({ modules, datasets, datasetModules, readOnly = false, onAdd, onNewScript }: PaletteProps) {
  const [query, setQuery] = useState("");
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const hide = useMemo(() => new Set(datasetModules.map((m) => m.id)), [datasetModules]);
  // The workspace's graph components first, under "Components"; script components sit in their own category.
  const grouped = useMemo(() => componentsFirst(groupModules(modules, query, hide)), [modules, query, hide]);
  const newScript = onNewScript && !readOnly ? onNewScript : undefined;
  // The Components section is there for its "New script component…" entry even before the first component.
  const groups =
    newScript && !query.trim() && !grouped.some((g) => g.category === COMPONENTS_CATEGORY)
      ? [{ category: COMPONENTS_CATEGORY, modules: [] }, ...grouped]
      : grouped;
  const shownDatasets = useMemo(() => filterDatasets(datasets, query), [datasets, query]);
  const searching = query.trim().length > 0;
  const toggle = (key: string) => {
    const next = new Set(collapsed);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setCollapsed(next);
  };
  const isOpen = (key: string) => searching || !collapsed.has(key);

  return (
    <aside className="palette" aria-label="Asset library">
      <div className="palette__search">
        <input
          type="search"
          className="input"
          placeholder="Search modules and datasets"
          aria-label="Search modules and datasets"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <div className="palette__scroll">
        {datasetModules.length > 0 && (
          <section className="palette__group">
            <GroupHeader label="Datasets" count={shownDatasets.length} open={isOpen("__datasets")} onToggle={() => toggle("__datasets")} />
            {isOpen("__datasets") && (
              <ul className="palette__items">
                {shownDatasets.map((d) => {
                  const item: PaletteItem = { kind: "dataset", datasetId: d.id };
                  return (
                    <li key={d.id}>
                      <div
                        className="palette__item"
                        draggable={!readOnly}
                        tabIndex={0}
                        role="button"
                        aria-label={`Dataset ${d.name}`}
                        data-palette-dataset={d.id}
                        data-dataset-kind={d.latest_version.kind}
                        title={`${d.name}${d.description ? `\n${d.description}` : ""}\n${datasetShape(d)} — drag onto the canvas`}
                        onDragStart={(e) => start(e, item)}
                        onDoubleClick={() => !readOnly && onAdd(item)}
                        onKeyDown={(e) => e.key === "Enter" && !readOnly && onAdd(item)}
                      >
                        <span className="palette__icon palette__icon--data" aria-hidden>
                          {datasetIcon(d.latest_version.kind)}
                        </span>
                        <span className="palette__label">
                          <span className="palette__name">{d.name}</span>
                          <span className="palette__meta">{datasetShape(d)}</span>
                        </span>
                      </div>
                    </li>
                  );
                })}
                {!shownDatasets.length && (
                  <li className="palette__empty">
                    {searching ? "No dataset matches." : <>No datasets yet. <Link to="/datasets">Upload a CSV or a zip</Link> to use it here.</>}
                  </li>
                )}
              </ul>
            )}
          </section>
        )}
        {groups.map((g) => (
          <section className="palette__group" key={g.category}>
            <GroupHeader label={g.category} count={g.modules.length} open={isOpen(g.category)} onToggle={() => toggle(g.category)} />
            {isOpen(g.category) && (
              <ul className="palette__items">
                {newScript && g.category === COMPONENTS_CATEGORY && (
                  <li>
                    <button type="button" className="palette__new" onClick={newScript} data-testid="new-script-component">
                      <span className="palette__icon palette__icon--new" aria-hidden>
                        +
                      </span>
                      <span className="palette__name">New script component…</span>
                    </button>
                  </li>
                )}
                {g.modules.map((m) => {
                  const item: PaletteItem = { kind: "module", module: m.id, version: m.version };
                  return (
                    <li key={m.id}>
                      <div
                        className="palette__item"
                        draggable={!readOnly}
                        tabIndex={0}
                        role="button"
                        aria-label={`${isComponentModule(m.id) ? "Component" : "Module"} ${m.name}`}
                        data-palette-module={m.id}
                        title={`${m.name}${m.description ? `\n${m.description}` : ""}\n\nIn: ${m.inputs.map((p) => p.label).join(", ") || "none"}\nOut: ${m.outputs.map((p) => p.label).join(", ") || "none"}`}
                        onDragStart={(e) => start(e, item)}
                        onDoubleClick={() => !readOnly && onAdd(item)}
                        onKeyDown={(e) => e.key === "Enter" && !readOnly && onAdd(item)}
                      >
                        {isComponentModule(m.id) ? (
                          <span className="palette__icon palette__icon--component" aria-hidden>
                            <ComponentIcon size={15} />
                          </span>
                        ) : (
                          <span className="palette__icon" style={{ background: categoryColour(m.category) }} aria-hidden>
                            {initials(m.name)}
                          </span>
                        )}
                        <span className="palette__label">
                          <span className="palette__name">{m.name}</span>
                        </span>
                      </div>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
        ))}
        {searching && !groups.length && !shownDatasets.length && (
          <p className="palette__empty palette__empty--search">
            Nothing matches “{query}”. Try part of a name, such as “split” or “regression”.
          </p>
        )}
      </div>
    </aside>
  );
});

function GroupHeader({ label, count, open, onToggle }: { label: string; count: number; open: boolean; onToggle(): void }) {
  return (
    <button type="button" className="palette__header" aria-expanded={open} onClick={onToggle}>
      <span className={`caret${open ? " caret--open" : ""}`} aria-hidden>
        ▸
      </span>
      <span className="palette__header-label">{label}</span>
      <span className="palette__count">{count}</span>
    </button>
  );
}
