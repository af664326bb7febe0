// The indexer's HTTP API, served by Ponder beside /health, /ready, /status and /metrics: GraphQL
// at / and /graphql, and SQL over HTTP at /sql/* (read-only queries, for `@ponder/client`).
import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, graphql } from "ponder";

const app = new Hono();

app.use("/sql/*", client({ db, schema }));
app.use("/", graphql({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

export default app;
