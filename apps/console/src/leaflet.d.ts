// The console imports Leaflet's ES module as ./leaflet.js (copied next to it by scripts/build-console.js);
// its types are those of @types/leaflet.
export * from 'leaflet';
