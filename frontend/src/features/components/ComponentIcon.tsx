/** The component mark: two stacked cards. Used on component nodes, in the palette and in the breadcrumb. */
export function ComponentIcon({ size = 16 }: { size?: number }) {
  return (
    <svg className="component-icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden focusable="false">
      <rect x="4.5" y="1.5" width="10" height="8" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <rect x="1.5" y="5.5" width="10" height="8" rx="1.5" fill="currentColor" fillOpacity="0.22" stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}
