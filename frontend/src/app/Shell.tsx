/** The frame around every signed-in page: brand, workspace switcher, navigation, user menu. */
import { NavLink, Outlet, useNavigate } from "react-router";
import { messageOf } from "../api/errors";
import { useMe, useSignOut } from "../features/auth";
import { Logo } from "./Logo";
import { toast } from "./toasts";
import { useCurrentWorkspace } from "./workspaceStore";

export function Shell() {
  const me = useMe().data;
  const current = useCurrentWorkspace((s) => s.current);
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const signOut = useSignOut();
  const navigate = useNavigate();
  const workspaces = me?.workspaces ?? [];
  const active = workspaces.find((w) => w.id === current) ?? workspaces[0];

  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to={active ? `/w/${active.id}` : "/"} className="topbar__brand" aria-label="Tessera home">
          <Logo size={22} />
          <span>Tessera</span>
          <span className="topbar__product">designer</span>
        </NavLink>
        {workspaces.length > 0 && (
          <label className="topbar__workspace">
            <span className="visually-hidden">Workspace</span>
            <select
              aria-label="Workspace"
              value={active?.id ?? ""}
              onChange={(e) => {
                const id = Number(e.target.value);
                setCurrent(id);
                navigate(`/w/${id}`);
              }}
            >
              {workspaces.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <nav className="topbar__nav" aria-label="Main">
          <NavLink to={active ? `/w/${active.id}` : "/"} end>
            Pipelines
          </NavLink>
          <NavLink to="/datasets">Datasets</NavLink>
          <NavLink to={active ? `/w/${active.id}/runs` : "/"}>Runs</NavLink>
          <NavLink to={active ? `/w/${active.id}/endpoints` : "/"}>Endpoints</NavLink>
          <NavLink to={active ? `/w/${active.id}/pipeline-endpoints` : "/"}>Pipeline endpoints</NavLink>
          <NavLink to={active ? `/w/${active.id}/models` : "/"}>Models</NavLink>
          <NavLink to={active ? `/w/${active.id}/environments` : "/"}>Environments</NavLink>
          <NavLink to={active ? `/w/${active.id}/activity` : "/"}>Activity</NavLink>
          <NavLink to={active ? `/w/${active.id}/samples` : "/"}>Samples</NavLink>
        </nav>
        <span className="topbar__spacer" />
        <a className="topbar__link" href="/api/docs/" target="_blank" rel="noreferrer">
          API
        </a>
        {me && (
          <div className="topbar__user">
            <span className="avatar" aria-hidden>
              {me.username.slice(0, 1).toUpperCase()}
            </span>
            <span className="topbar__username">{me.username}</span>
            <button
              className="btn btn--ghost btn--sm"
              onClick={() =>
                signOut.mutate(undefined, {
                  onSuccess: () => navigate("/login"),
                  onError: (e) => toast.error(messageOf(e)),
                })
              }
            >
              Sign out
            </button>
          </div>
        )}
      </header>
      <div className="shell__main">
        <Outlet />
      </div>
    </div>
  );
}
