import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { type MaxMinTenant, maxMinAllocate } from "./max-min.js";
import { maxMinAllocateColumns } from "./max-min-columns.js";

// No subnormal amounts (see max-min.test.ts): their water level is not representable.
const amount = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-300, max: 1000, noNaN: true, noDefaultInfinity: true }),
);
const weight = fc.double({ min: 0.01, max: 100, noNaN: true, noDefaultInfinity: true });
const rowArbitrary = fc.record(
  { demand: amount, weight, floor: amount, cap: amount },
  { requiredKeys: ["demand"] },
);

describe("maxMinAllocateColumns", () => {
  it("gives the same allocations and level as the Record API, to the bit", () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 40 }),
        fc.double({ min: 0, max: 5000, noNaN: true, noDefaultInfinity: true }),
        (rows, capacity) => {
          const tenants = rows.map((row, i): MaxMinTenant => ({ id: `t${i}`, ...row }));
          // A column is given when some row has the field; the others get its default there.
          const column = (field: "weight" | "floor" | "cap", absent: number) =>
            rows.some((row) => row[field] !== undefined)
              ? Float64Array.from(rows, (row) => row[field] ?? absent)
              : undefined;
          const weights = column("weight", 1);
          const floors = column("floor", 0);
          const caps = column("cap", Number.POSITIVE_INFINITY);
          const columns = maxMinAllocateColumns({
            capacity,
            demands: Float64Array.from(rows, (row) => row.demand),
            overcommit: "scale-floors",
            ...(weights === undefined ? {} : { weights }),
            ...(floors === undefined ? {} : { floors }),
            ...(caps === undefined ? {} : { caps }),
          });
          const record = maxMinAllocate({ capacity, tenants, overcommit: "scale-floors" });
          expect(columns.allocations).toHaveLength(tenants.length);
          tenants.forEach((tenant, i) => {
            expect(Object.is(columns.allocations[i], record.allocations[tenant.id])).toBe(true);
          });
          expect(columns.level).toBe(record.level);
          expect(columns.allocated).toBe(record.allocated);
          expect(columns.unallocated).toBe(record.unallocated);
          expect(columns.floorScale).toBe(record.floorScale);
          expect(columns.demandTotal).toBe(record.demandTotal);
        },
      ),
      { seed: 21, numRuns: 400 },
    );
  });

  it("answers the same whatever ran before it (its scratch arrays are reused between calls)", () => {
    const columnsArbitrary = fc
      .array(rowArbitrary, { maxLength: 40 })
      .chain((rows) =>
        fc.record({
          capacity: fc.double({ min: 0, max: 5000, noNaN: true }),
          demands: fc.constant(Float64Array.from(rows, (row) => row.demand)),
          floors: fc.option(fc.constant(Float64Array.from(rows, (row) => row.floor ?? 0)), {
            nil: undefined,
          }),
          caps: fc.option(fc.constant(Float64Array.from(rows, (row) => row.cap ?? 1e6)), { nil: undefined }),
        }),
      )
      .map(({ floors, caps, ...rest }) => ({
        ...rest,
        overcommit: "scale-floors" as const,
        ...(floors === undefined ? {} : { floors }),
        ...(caps === undefined ? {} : { caps }),
      }));
    fc.assert(
      fc.property(columnsArbitrary, columnsArbitrary, (options, before) => {
        const first = maxMinAllocateColumns(options);
        maxMinAllocateColumns(before);
        expect(maxMinAllocateColumns(options)).toEqual(first);
      }),
      { seed: 22, numRuns: 300 },
    );
  });

  it("matches the Kubernetes conc_alloc vector, and reads Infinity as no cap", () => {
    const result = maxMinAllocateColumns({ capacity: 14, demands: Float64Array.of(3, 7, 9, 1) });
    expect([...result.allocations]).toEqual([3, 5, 5, 1]);
    expect(result.level).toBe(5);
    expect(result.capacity).toBe(14);
    const capped = maxMinAllocateColumns({
      capacity: 60,
      demands: Float64Array.of(100, 100, 4),
      weights: Float64Array.of(2, 1, 1),
      floors: Float64Array.of(0, 0, 50),
      caps: Float64Array.of(Number.POSITIVE_INFINITY, 15, Number.POSITIVE_INFINITY),
    });
    expect([...capped.allocations]).toEqual([41, 15, 4]);
    const empty = maxMinAllocateColumns({ capacity: 10, demands: new Float64Array(0) });
    expect([empty.allocations.length, empty.allocated, empty.unallocated]).toEqual([0, 0, 10]);
  });

  it("rejects or scales floors above the capacity", () => {
    const options = { capacity: 30, demands: Float64Array.of(50, 50), floors: Float64Array.of(40, 20) };
    const error = catchEnisError(() => maxMinAllocateColumns(options));
    expect([error.code, error.field]).toEqual(["INFEASIBLE", "capacity"]);
    expect(error.message).toMatch(/^capacity must be at least 60.*short by 30.*got 30$/);
    const scaled = maxMinAllocateColumns({ ...options, overcommit: "scale-floors" });
    expect(scaled.floorScale).toBeCloseTo(0.5, 12);
    expect([...scaled.allocations]).toEqual([20, 10]);
  });

  it.each([
    ["demands", Number.NaN, "demands[1]"],
    ["demands", -1, "demands[1]"],
    ["demands", Number.POSITIVE_INFINITY, "demands[1]"],
    ["weights", 0, "weights[1]"],
    ["weights", Number.NaN, "weights[1]"],
    ["weights", Number.POSITIVE_INFINITY, "weights[1]"],
    ["floors", -0.5, "floors[1]"],
    ["floors", Number.POSITIVE_INFINITY, "floors[1]"],
    ["caps", Number.NaN, "caps[1]"],
    ["caps", -2, "caps[1]"],
  ] as const)("rejects %s with %s at an index, naming the index and the value", (column, value, field) => {
    const columns = { demands: Float64Array.of(1, 1, 1), [column]: Float64Array.of(1, value, 1) };
    const error = catchEnisError(() => maxMinAllocateColumns({ capacity: 10, ...columns }));
    expect([error.code, error.field]).toEqual(["INVALID_OPTIONS", field]);
    expect(error.message).toContain(String(value));
  });

  it("rejects columns that are not Float64Arrays of the demands' length, and unknown options", () => {
    const demands = Float64Array.of(1, 2);
    expect(
      catchEnisError(() => maxMinAllocateColumns({ capacity: 1, demands: [1, 2] as never })),
    ).toMatchObject({
      code: "INVALID_OPTIONS",
      field: "demands",
    });
    expect(
      catchEnisError(() =>
        maxMinAllocateColumns({ capacity: 1, demands, weights: Float32Array.of(1, 1) as never }),
      ),
    ).toMatchObject({ code: "INVALID_OPTIONS", field: "weights" });
    expect(
      catchEnisError(() => maxMinAllocateColumns({ capacity: 1, demands, caps: Float64Array.of(1) })),
    ).toMatchObject({ code: "INVALID_OPTIONS", field: "caps.length" });
    expect(
      catchEnisError(() => maxMinAllocateColumns({ capacity: 1, demands, weight: demands } as never)).field,
    ).toBe("options.weight");
    expect(catchEnisError(() => maxMinAllocateColumns({ capacity: -1, demands })).field).toBe("capacity");
    // demand / weight past the largest double: no level can hold it.
    const overflow = catchEnisError(() =>
      maxMinAllocateColumns({
        capacity: 1,
        demands: Float64Array.of(1e300),
        weights: Float64Array.of(1e-299),
      }),
    );
    expect([overflow.code, overflow.field]).toEqual(["INVALID_OPTIONS", "weights[0]"]);
    // Weights whose sum passes the largest double: the weight where it does is named.
    const sum = catchEnisError(() =>
      maxMinAllocateColumns({
        capacity: 1,
        demands: Float64Array.of(1, 1, 1),
        weights: Float64Array.of(1, 1e308, 1e308),
      }),
    );
    expect([sum.code, sum.field]).toEqual(["INVALID_OPTIONS", "weights[2]"]);
  });
});
