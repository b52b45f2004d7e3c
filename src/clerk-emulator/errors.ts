/** An error the emulator answers with Clerk's envelope: {errors:[{code,message,long_message,meta}]}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly longMessage: string = message,
    readonly meta?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (long: string) => new ApiError(404, "resource_not_found", "not found", long);
export const paramInvalid = (param: string, long?: string) =>
  new ApiError(422, "form_param_value_invalid", "is invalid", long ?? `${param} is invalid`, { param_name: param });
export const paramMissing = (param: string) =>
  new ApiError(422, "form_param_missing", "is missing", `${param} must be included.`, { param_name: param });
export const paramUnknown = (param: string) =>
  new ApiError(422, "form_param_unknown", "is unknown", `${param} is not a valid parameter for this request.`, { param_name: param });
export const identifierExists = (param: string) =>
  new ApiError(422, "form_identifier_exists", "That identifier is taken. Please try another.", "That identifier is taken. Please try another.", { param_name: param });
