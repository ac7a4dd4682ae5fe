export { Palette } from "./Palette";
export { DND_MIME, readItem, type PaletteItem } from "./dnd";
export { categoryColour, groupModules, initials } from "./group";
