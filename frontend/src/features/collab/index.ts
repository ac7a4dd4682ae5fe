export { CollabClient, type CollabOptions, type SocketLike } from "./client";
export { useCollab, type CollabMode, type Teammate } from "./collabStore";
export { Presence } from "./Presence";
export { usePipelineCollab } from "./useCollab";
