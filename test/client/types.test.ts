/**
 * The SDK's hand-written types against the server's TypeBox schemas: at compile time (`npm run
 * typecheck` fails when a field is renamed on either side), and at run time (what the SDK's
 * methods return from a real server passes the route's response schema).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormatRegistry, type Static, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { BrookClient } from "../../src/client/index.js";
import type * as T from "../../src/client/types.js";
import { loadStream } from "../../src/data/datasets.js";
import * as S from "../../src/server/validation/schemas.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

type Equal<A, B> = (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;
type Assignable<A, B> = [A] extends [B] ? true : false;
/** Compiles only when every check is true. */
function check<C extends true[]>(..._checks: C): void {}

type LearnSchema = Static<ReturnType<typeof S.learnBody>>;
type PredictSchema = Static<ReturnType<typeof S.predictBody>>;
type ForecastSchema = Static<ReturnType<typeof S.forecastBody>>;
type OneOf<U> = U extends { predictions: unknown } ? never : U;

check(
  // Request bodies: the same fields as the schemas, no more, no fewer.
  true as Equal<keyof T.LearnBody, keyof LearnSchema>,
  true as Equal<keyof T.PredictBody, keyof PredictSchema>,
  true as Equal<keyof T.ForecastBody, keyof ForecastSchema>,
  true as Equal<keyof T.CreateModel, keyof Static<typeof S.CreateModelBody>>,
  true as Assignable<T.Target, Static<typeof S.Target>>,
  // Answers: what the server's schema promises is what the SDK says it returns, both ways.
  true as Assignable<Static<typeof S.LearnResponse>, T.LearnResult>,
  true as Assignable<T.LearnResult, Static<typeof S.LearnResponse>>,
  true as Assignable<Static<typeof S.MetricsResponse>, T.MetricsResult>,
  true as Assignable<T.MetricsResult, Static<typeof S.MetricsResponse>>,
  true as Assignable<Static<typeof S.ModelSummary>, T.ModelSummary>,
  true as Assignable<T.ModelSummary, Static<typeof S.ModelSummary>>,
  true as Assignable<T.ModelDetails, Static<typeof S.ModelDetails>>,
  true as Assignable<Static<typeof S.Checkpoint>, T.Checkpoint>,
  true as Assignable<T.Checkpoint, Static<typeof S.Checkpoint>>,
  true as Assignable<T.CheckpointList, Static<typeof S.CheckpointList>>,
  true as Assignable<Static<typeof S.CheckpointList>, T.CheckpointList>,
  true as Assignable<T.ForecastResult, Static<typeof S.ForecastResponse>>,
  true as Assignable<Static<typeof S.ForecastResponse>, T.ForecastResult>,
  true as Assignable<T.Prediction, OneOf<Static<typeof S.PredictResponse>>>,
  true as Assignable<T.BatchPrediction, Static<typeof S.PredictResponse>>,
  true as Assignable<T.Problem, Static<typeof S.Problem>>,
  true as Assignable<Static<typeof S.StreamLearnResponse>, T.StreamLearnResult>,
  true as Assignable<T.StreamLearnResult, Static<typeof S.StreamLearnResponse>>,
);

const phishing = loadStream("phishing").rows;

describe("SDK answers and the server's schemas", () => {
  let server: TestServer;
  let client: BrookClient;
  before(async () => {
    server = await startTestServer();
    client = new BrookClient(server.url);
  });
  after(() => server.close());

  // The schemas use JSON Schema's date-time format; TypeBox checks formats it is told about.
  if (!FormatRegistry.Has("date-time")) FormatRegistry.Set("date-time", (v) => !Number.isNaN(Date.parse(v)));
  const valid = (schema: TSchema, value: unknown) => {
    const errors = [...Value.Errors(schema, value)].map((e) => `${e.path} ${e.message}`);
    assert.deepEqual(errors, [], JSON.stringify(value));
  };

  it("every answer the SDK returns passes the route's response schema", async () => {
    await client.createModel("t", { spec: "StandardScaler | LogisticRegression" });
    valid(S.LearnResponse, await client.learn("t", phishing[0]!.x, phishing[0]!.y));
    valid(
      S.LearnResponse,
      await client.learnBatch(
        "t",
        phishing.slice(1, 5).map((r) => ({ x: r.x, y: r.y })),
      ),
    );
    valid(S.PredictResponse, await client.predict("t", phishing[5]!.x, { remember: true }));
    valid(S.PredictResponse, await client.predictBatch("t", [phishing[6]!.x]));
    valid(S.MetricsResponse, await client.metrics("t"));
    valid(S.ModelDetails, await client.getModel("t"));
    valid(S.ModelList, { models: await client.listModels() });
    valid(S.CheckpointList, await client.checkpoints("t"));
    valid(S.Checkpoint, await client.checkpoint("t"));
  });
});
