/**
 * The partitioner of coincide's Kafka producer: a message's partition comes from its partition
 * key, the header coincide-partition-key when present (messages whose key is their schema, see
 * kafka-framing.ts), else the message key.
 *
 * The hash is kafkajs's DefaultPartitioner (the Java client's: toPositive(murmur2(key bytes)) mod
 * the topic's partition count; librdkafka's `partitioner=murmur2` is the same), so a message
 * framed with the schema as its key lands on the partition a Java producer keyed by the same
 * trigger id would pick, and every message of one trigger stays on one partition, in order.
 * Pluggable: pass another kafkajs partitioner factory (e.g. one keyed by coincidence ids) as
 * `base`; it sees the message with its partition key in place of the key.
 */
import { Partitioners, type ICustomPartitioner } from 'kafkajs';
import { headerText } from './content-digest.ts';
import { HEADER_PARTITION_KEY } from './kafka-framing.ts';

export function createPartitionKeyPartitioner(
  base: ICustomPartitioner = Partitioners.DefaultPartitioner,
): ICustomPartitioner {
  return () => {
    const partition = base();
    return ({ topic, partitionMetadata, message }) => {
      const partitionKey = headerText(message.headers, HEADER_PARTITION_KEY);
      return partition({
        topic,
        partitionMetadata,
        message: partitionKey === undefined ? message : { ...message, key: partitionKey },
      });
    };
  };
}
