import type { Response } from 'express';

/** The error body of non-OCI endpoints: `{"error":{"code","message","details"}}`. */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details?: unknown,
): void {
  res.status(status).json({
    error: { code, message, ...(details === undefined ? {} : { details }) },
  });
}
