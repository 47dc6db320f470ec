/** Small inline icons (no icon font, no emoji font needed): each is decorative, its wrapper names it. */

const common = { width: 18, height: 18, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true, focusable: false } as const;

export function MicOffIcon() {
  return (
    <svg {...common}>
      <path d="M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V5a3 3 0 0 0-5.9-.7" />
      <path d="M19 11a7 7 0 0 1-1.2 3.9M5 11a7 7 0 0 0 11.5 5.4M12 18v3" />
      <path d="M3 3l18 18" />
    </svg>
  );
}

export function SpeakerIcon() {
  return (
    <svg {...common}>
      <path d="M11 5 6 9H3v6h3l5 4z" />
      <path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" />
    </svg>
  );
}

export function SpeakerOffIcon() {
  return (
    <svg {...common}>
      <path d="M11 5 6 9H3v6h3l5 4z" />
      <path d="M16 9l5 6M21 9l-5 6" />
    </svg>
  );
}
