/// <reference types="vite/client" />

declare module "plotly.js-cartesian-dist-min";
