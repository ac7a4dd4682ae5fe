/** The canvas menu's component items: create one from the selection; open, update, pin or ungroup one. */
import type { MenuItem } from "../canvas/ContextMenu";
import { useGraph } from "../canvas/graphStore";
import { latestVersionOf, linkNode, openComponentNode, pinNode, ungroupNode } from "./actions";
import { useComponentDialogs } from "./dialogStore";
import { isComponentModule } from "./types";

export function componentMenuItems(nodeId: string, readOnly: boolean): MenuItem[] {
  const { nodes } = useGraph.getState();
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) return [];
  const selected = nodes.filter((n) => n.selected).map((n) => n.id);
  const chosen = selected.length ? selected : [nodeId];
  const items: MenuItem[] = [
    {
      label: chosen.length > 1 ? `Create component from ${chosen.length} modules…` : "Create component…",
      separated: true,
      disabled: readOnly,
      hint: readOnly ? "Only an editor can create components." : "Group the selected modules into one reusable, versioned node",
      onSelect: () => useComponentDialogs.getState().show({ kind: "create", nodeIds: chosen }),
    },
  ];
  if (!isComponentModule(node.data.module)) return items;
  const latest = latestVersionOf(node.data.module);
  const pinned = node.data.link === "pinned";
  items.push(
    { label: "Open component", shortcut: "Double-click", onSelect: () => void openComponentNode(nodeId) },
    {
      label: pinned ? "Follow the latest version" : latest !== undefined && latest > node.data.version ? `Update to version ${latest}…` : "Pin to this version",
      disabled: readOnly,
      hint: pinned
        ? "Offer this node the component's newer versions again"
        : latest !== undefined && latest > node.data.version
          ? "See what changed, then accept or pin"
          : `Keep version ${node.data.version} here whatever is saved later`,
      onSelect: () => {
        if (pinned) linkNode(nodeId);
        else if (latest !== undefined && latest > node.data.version) useComponentDialogs.getState().show({ kind: "update", nodeId });
        else pinNode(nodeId);
      },
    },
    {
      label: "Ungroup",
      disabled: readOnly,
      hint: "Put the component's modules back in its place",
      onSelect: () => void ungroupNode(nodeId),
    },
  );
  return items;
}
