/**
 * Retries a Kafka operation while it fails with a retriable error (kafkajs marks protocol
 * errors such as GROUP_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE `retriable: true`; so do
 * our CoincideErrors). Delay before attempt k (k ≥ 2): min(maxDelayMs, initialDelayMs × 2^(k−2)).
 */
export interface RetryOptions {
  /** Total attempts, including the first (default 8). */
  attempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (error: unknown, attempt: number) => void;
}

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

export async function retryKafka<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  const initialDelayMs = options.initialDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isRetriable(error)) throw error;
      options.onRetry?.(error, attempt);
      const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
