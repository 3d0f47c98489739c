import { LabIcon } from '@jupyterlab/ui-components';

// jp-icon3 takes the theme's icon colour, so the mark reads on light and dark alike
const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M4 3h16a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm1 2v14h14V5z"/>
    <rect x="7" y="12" width="2.5" height="5"/>
    <rect x="10.75" y="9" width="2.5" height="8"/>
    <rect x="14.5" y="6.5" width="2.5" height="10.5"/>
  </g>
</svg>`;

export const emkitIcon = new LabIcon({ name: 'emkit:logo', svgstr });

// a clock: the schedules' mark (the notebook toolbar's "Schedule…", the schedule tabs)
const clockSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm1 3v4.6l3.2 3.2-1.4 1.4L11 12.4V7z"/>
  </g>
</svg>`;

export const scheduleIcon = new LabIcon({ name: 'emkit:schedule', svgstr: clockSvg });

// a bell: alert rules (the endpoint row's "Add Alert…", the Alerts section)
const bellSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1zm-2 1H7v-6a5 5 0 0 1 10 0z"/>
  </g>
</svg>`;

export const alertIcon = new LabIcon({ name: 'emkit:alert', svgstr: bellSvg });

// sliders: tuning (the notebook toolbar's "Tune…", the Tunings section, the tuning tabs)
const slidersSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M5 3h2v7.2a3 3 0 0 1 0 5.6V21H5v-5.2a3 3 0 0 1 0-5.6zm6 0h2v3.2a3 3 0 0 1 0 5.6V21h-2v-9.2a3 3 0 0 1 0-5.6zm6 0h2v11.2a3 3 0 0 1 0 5.6V21h-2v-1.2a3 3 0 0 1 0-5.6z"/>
  </g>
</svg>`;

export const tuneIcon = new LabIcon({ name: 'emkit:tune', svgstr: slidersSvg });
// a struck-out bell: a rule that is off (the Alerts section's toggle turns it on)
const bellOffSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zM3.7 2.3 2.3 3.7 6 7.4A7 7 0 0 0 5 11v5l-2 2v1h14.6l2.7 2.7 1.4-1.4zM7 17v-6c0-.6.1-1.2.3-1.7l7.7 7.7zm10-2.3V11a5 5 0 0 0-7.6-4.3L8 5.3a7 7 0 0 1 2.5-1.1V3a1.5 1.5 0 0 1 3 0v1.16A7 7 0 0 1 19 11v5.7z"/>
  </g>
</svg>`;

export const alertOffIcon = new LabIcon({ name: 'emkit:alert-off', svgstr: bellOffSvg });
