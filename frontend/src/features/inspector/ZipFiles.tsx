/**
 * What is inside a zip (a file dataset, or a zip_file output): one row per file with its unpacked
 * size, folders shown as the path's prefix. Long archives are listed up to the server's cap, with
 * the full counts in the caption.
 */
import { formatBytes, formatCount } from "./format";
import type { ZipContents } from "./types";

export function ZipFiles({ contents }: { contents: ZipContents }) {
  const listed = contents.members.length;
  return (
    <table className="metrics zip-files" aria-label="Files in the zip">
      <caption className="zip-files__caption">
        {formatCount(contents.files)} {contents.files === 1 ? "file" : "files"}, {formatBytes(contents.bytes)} unpacked
        {listed < contents.files ? ` (the first ${formatCount(listed)} listed)` : ""}
      </caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col" className="num">
            Size
          </th>
        </tr>
      </thead>
      <tbody>
        {contents.members.map((m) => {
          const slash = m.name.lastIndexOf("/");
          return (
            <tr key={m.name}>
              <th scope="row" className="zip-files__name" title={m.name}>
                {slash >= 0 && <span className="zip-files__folder">{m.name.slice(0, slash + 1)}</span>}
                {m.name.slice(slash + 1)}
              </th>
              <td className="num">{formatBytes(m.size)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
