import { DateTimeResolver, JSONResolver } from "graphql-scalars";
import { builder } from "../builder.ts";

builder.addScalarType("DateTime", DateTimeResolver, {
  description: "An RFC 3339 UTC date-time string, e.g. 2026-01-31T12:00:00.000Z.",
});
builder.addScalarType("JSON", JSONResolver, {
  description: "Any JSON value (event payloads).",
});
