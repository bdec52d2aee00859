import { describe, expect, it } from "vitest";
import { parseEmbeddingsRequest } from "./embeddings-schema";
import { ApiError } from "./errors";

/** The error body a request with this `input` gets, and its status. */
function refusal(input: unknown) {
  try {
    parseEmbeddingsRequest(input === undefined ? { model: "m" } : { model: "m", input });
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    return { status: err.status, ...err.toBody().error };
  }
  throw new Error(`accepted ${JSON.stringify(input)?.slice(0, 80)}`);
}

const strings = (n: number) => Array.from({ length: n }, (_, i) => `text ${i}`);

describe("embeddings request input", () => {
  it("accepts a string and 1..2048 strings", () => {
    expect(parseEmbeddingsRequest({ model: "m", input: "hello" }).input).toBe("hello");
    expect(parseEmbeddingsRequest({ model: "m", input: ["a"] }).input).toEqual(["a"]);
    expect(parseEmbeddingsRequest({ model: "m", input: strings(2048) }).input).toHaveLength(2048);
  });

  it("more than 2,048 inputs: 400 on 'input' saying how many were sent and the limit", () => {
    expect(refusal(strings(2049))).toEqual({
      status: 400,
      type: "invalid_request_error",
      param: "input",
      code: "invalid_value",
      message: "Invalid value for 'input': the input has 2049 items; at most 2048 are allowed per request.",
    });
    expect(refusal(strings(5000)).message).toBe(
      "Invalid value for 'input': the input has 5000 items; at most 2048 are allowed per request.",
    );
  });

  it("token arrays, one or many (even more than 2,048), are refused as token arrays", () => {
    const tokens = "Invalid value for 'input': token arrays are not supported; send the text.";
    for (const input of [[1, 2, 3], [[1, 2], [3]], [[]], Array.from({ length: 2049 }, () => [1])]) {
      expect(refusal(input), JSON.stringify(input).slice(0, 40)).toEqual({
        status: 400,
        type: "invalid_request_error",
        param: "input",
        code: "invalid_value",
        message: tokens,
      });
    }
  });

  it("empty string, empty array, empty item: each says which is empty", () => {
    expect(refusal("")).toMatchObject({
      status: 400,
      param: "input",
      message: "Invalid value for 'input': must not be empty.",
    });
    expect(refusal([])).toMatchObject({
      status: 400,
      param: "input",
      message: "Invalid value for 'input': must not be an empty array.",
    });
    expect(refusal(["a", ""])).toMatchObject({
      status: 400,
      param: "input[1]",
      message: "Invalid value for 'input[1]': must not be empty.",
    });
  });

  it("a mixed array names the first item that is not a string", () => {
    expect(refusal(["a", "b", 3, "d"])).toMatchObject({
      status: 400,
      type: "invalid_request_error",
      param: "input[2]",
      code: "invalid_value",
      message: "Invalid value for 'input[2]': expected a string, received number.",
    });
    expect(refusal(["a", ["b"]]).message).toBe("Invalid value for 'input[1]': expected a string, received array.");
  });

  it("neither a string nor an array; missing is a missing parameter", () => {
    expect(refusal(42)).toMatchObject({
      status: 400,
      param: "input",
      code: "invalid_value",
      message: "Invalid value for 'input': expected a string or an array of strings, received number.",
    });
    expect(refusal(null).message).toBe(
      "Invalid value for 'input': expected a string or an array of strings, received null.",
    );
    expect(refusal(undefined)).toMatchObject({
      status: 400,
      param: "input",
      code: "missing_required_parameter",
      message: "Invalid value for 'input': expected a string or an array of strings, received undefined.",
    });
  });
});
