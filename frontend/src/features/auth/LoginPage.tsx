import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { messageOf } from "../../api/errors";
import { Logo } from "../../app/Logo";
import { useMe, useSignIn } from "./session";
import "./auth.css";

export function LoginPage() {
  const me = useMe();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const next = safeNext(params.get("next"));

  if (me.data) return <Navigate to={next} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    signIn.mutate({ username: username.trim(), password }, { onSuccess: () => navigate(next, { replace: true }) });
  }

  return (
    <div className="login">
      <form className="login__card" onSubmit={submit} aria-label="Sign in">
        <div className="login__brand">
          <Logo size={36} />
          <div>
            <div className="login__name">Tessera</div>
            <div className="login__tag">Visual machine learning designer</div>
          </div>
        </div>
        <h1 className="login__title">Sign in</h1>
        <label className="field">
          <span className="field__label">Username</span>
          <input
            className="input"
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">Password</span>
          <input
            className="input"
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {signIn.isError && (
          <p className="form-error" role="alert">
            {messageOf(signIn.error)}
          </p>
        )}
        <button className="btn btn--primary btn--block" type="submit" disabled={!username || !password || signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
        <p className="login__hint">
          First time here? <code>make start</code> prints the administrator's password; an owner adds teammates to
          a workspace.
        </p>
      </form>
    </div>
  );
}

/** Only same-site paths, never another origin. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}
