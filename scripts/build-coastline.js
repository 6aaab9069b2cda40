// Writes apps/console/public/coastline.json: Natural Earth 1:50m land (public domain, through the
// world-atlas package) clipped to the region the console maps (Yellow Sea, Sea of Japan, Russian Far East),
// as GeoJSON-order rings rounded to 0.01°. Run once when the region changes: node scripts/build-coastline.js
const fs = require('node:fs');
const path = require('node:path');
const { feature } = require('topojson-client');

const [WEST, SOUTH, EAST, NORTH] = [112, 26, 146, 50];
const topology = require('world-atlas/land-50m.json');
const land = feature(topology, topology.objects.land);
const rings = [];
for (const f of land.features) {
  const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  for (const polygon of polygons) {
    const ring = polygon[0];
    if (!ring.some(([lon, lat]) => lon >= WEST && lon <= EAST && lat >= SOUTH && lat <= NORTH)) continue;
    const clipped = ring
      .map(([lon, lat]) => [
        Math.min(EAST + 1, Math.max(WEST - 1, lon)),
        Math.min(NORTH + 1, Math.max(SOUTH - 1, lat)),
      ])
      .map(([lon, lat]) => [Math.round(lon * 100) / 100, Math.round(lat * 100) / 100])
      .filter((p, i, all) => i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1]);
    if (clipped.length >= 4) rings.push(clipped);
  }
}
const out = {
  source: 'Natural Earth 1:50m land (public domain), via world-atlas 2.0.2; clipped to the bbox',
  bbox: [WEST, SOUTH, EAST, NORTH],
  rings,
};
const file = path.join(__dirname, '..', 'apps', 'console', 'public', 'coastline.json');
fs.writeFileSync(file, JSON.stringify(out));
console.log(`${file}: ${rings.length} rings, ${rings.reduce((n, r) => n + r.length, 0)} points`);
