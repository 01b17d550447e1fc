import { Discard, Select, SelectType } from "../../compose/select.js";
import { TransformerUnion } from "../../compose/union.js";
import { FeatureHasher } from "../../preprocessing/feature-hasher.js";
import { MinMaxScaler } from "../../preprocessing/min-max-scaler.js";
import { OneHotEncoder } from "../../preprocessing/one-hot-encoder.js";
import type { ComponentClass } from "../registry.js";

/** Encoders, scalers, feature selection and unions. */
export const preprocessing = [
  MinMaxScaler,
  OneHotEncoder,
  FeatureHasher,
  Select,
  Discard,
  SelectType,
  TransformerUnion,
] as unknown as readonly ComponentClass[];
