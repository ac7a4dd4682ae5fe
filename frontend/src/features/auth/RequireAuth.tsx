import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { messageOf } from "../../api/errors";
import { ErrorState, Loading } from "../../app/States";
import { useMe } from "./session";

export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading label="Signing you in…" />;
  if (me.isError) return <ErrorState title="Tessera is not reachable" message={messageOf(me.error)} onRetry={() => me.refetch()} />;
  if (!me.data) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}
