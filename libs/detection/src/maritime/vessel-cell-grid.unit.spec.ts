import { VesselCellGrid, type GridMember } from './vessel-cell-grid';

interface Boat extends GridMember {
  name: string;
}
const boat = (name: string): Boat => ({ name, cellId: -1, cellSlot: -1 });
const names = (out: Boat[]) => out.map((b) => b.name).sort();

describe('vessel cell grid', () => {
  it('finds members in neighbouring cells, not far ones', () => {
    const grid = new VesselCellGrid<Boat>(1);
    const [a, b, c] = [boat('a'), boat('b'), boat('c')];
    grid.place(a, 36.5, 123.5);
    grid.place(b, 36.5045, 123.5); // 500 m north, maybe across a cell edge
    grid.place(c, 36.6, 123.5); // 11 km north
    const out: Boat[] = [];
    grid.near(36.5, 123.5, 0.5, out);
    expect(names(out)).toEqual(['a', 'b']);
  });

  it('moves and removes members in O(1) and keeps the others reachable', () => {
    const grid = new VesselCellGrid<Boat>(1);
    const boats = ['a', 'b', 'c', 'd'].map(boat);
    for (const b of boats) grid.place(b, 40, 130);
    grid.remove(boats[1]);
    grid.place(boats[0], 41, 131);
    const out: Boat[] = [];
    grid.near(40, 130, 0.5, out);
    expect(names(out)).toEqual(['c', 'd']);
    grid.near(41, 131, 0.5, out);
    expect(names(out)).toEqual(['a']);
    expect(grid.size).toBe(3);
    expect(boats[1]).toMatchObject({ cellId: -1, cellSlot: -1 });
  });

  it('looks across the date line and widens the search where meridians converge', () => {
    const grid = new VesselCellGrid<Boat>(1);
    const [east, west, north] = [boat('east'), boat('west'), boat('north')];
    grid.place(east, 52, 179.999);
    grid.place(west, 52, -179.999);
    grid.place(north, 75, 10.02); // 575 m east of 75°N 10°E: more than one cell away at that latitude
    const out: Boat[] = [];
    grid.near(52, 179.999, 0.5, out);
    expect(names(out)).toEqual(['east', 'west']);
    grid.near(75, 10, 0.6, out);
    expect(names(out)).toEqual(['north']);
  });
});
