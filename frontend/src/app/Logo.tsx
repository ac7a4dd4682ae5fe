export function Logo({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden focusable="false">
      <rect x="2" y="2" width="12" height="12" rx="3" fill="#2f6fde" />
      <rect x="18" y="2" width="12" height="12" rx="3" fill="#22a06b" />
      <rect x="2" y="18" width="12" height="12" rx="3" fill="#e8a33d" />
      <rect x="18" y="18" width="12" height="12" rx="3" fill="#7a5af8" />
    </svg>
  );
}
