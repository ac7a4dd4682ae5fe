/** The workspace activity feed, a page at a time. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/generated/schema";

export type ActivityEvent = components["schemas"]["ActivityEvent"];
export type ObjectType = components["schemas"]["ObjectTypeEnum"];

export const PAGE_SIZE = 25;

export function useActivity(workspace: number, objectType: ObjectType | null, page: number) {
  return useQuery({
    queryKey: ["activity", workspace, objectType, page] as const,
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET("/api/workspaces/{id}/activity/", {
          params: {
            path: { id: workspace },
            query: { limit: PAGE_SIZE, offset: page * PAGE_SIZE, ...(objectType ? { object_type: objectType } : {}) },
          },
        }),
        "load the activity",
      ),
  });
}
