/** Who is signed in: GET /api/auth/me/ (null when signed out), sign in and sign out. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ensureCsrf, unwrap } from "../../api/client";
import { ApiError, isSignedOut } from "../../api/errors";
import { keys } from "../../api/queries";
import type { Me } from "../../api/types";

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    retry: false,
    staleTime: 60_000,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await unwrap(api.GET("/api/auth/me/"));
      } catch (error) {
        if (isSignedOut(error)) return null;
        throw error;
      }
    },
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: { username: string; password: string }) => {
      await ensureCsrf();
      try {
        return await unwrap(api.POST("/api/auth/login/", { body: credentials }));
      } catch (error) {
        if (error instanceof ApiError && (error.status === 400 || error.status === 401 || error.status === 403)) {
          if (/CSRF/i.test(JSON.stringify(error.body))) throw error;
          throw new ApiError("That username and password don't match an account. Check them and try again.", error.status, error.body);
        }
        throw error;
      }
    },
    onSuccess: (me) => {
      client.clear();
      client.setQueryData(keys.me, me);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await ensureCsrf();
      await unwrap(api.POST("/api/auth/logout/"), "sign out");
    },
    onSuccess: () => {
      client.clear();
      client.setQueryData(keys.me, null);
    },
  });
}
