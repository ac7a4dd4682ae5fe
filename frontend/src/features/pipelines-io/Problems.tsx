/** Problems the server found in a pipeline, one line each, naming the node, port and parameter. */
import type { Problem } from "../../api/types";

export function ProblemList({ problems, label }: { problems: readonly Problem[]; label: string }) {
  return (
    <ul className="io-problems" aria-label={label}>
      {problems.map((p, i) => {
        const where = [p.node && `node ${p.node}`, p.port && `port ${p.port}`, p.param && `parameter ${p.param}`, p.column && `column ${p.column}`]
          .filter(Boolean)
          .join(" · ");
        return (
          <li key={i} className="io-problems__item" data-code={p.code}>
            {where && <span className="io-problems__where">{where}: </span>}
            {p.message}
          </li>
        );
      })}
    </ul>
  );
}
