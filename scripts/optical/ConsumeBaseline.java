/*
 * Java consumer baseline for bench/optical.ts: the official Kafka client (kafka-clients, from
 * the broker's own jars in .cache/kafka) reads N messages of a topic from the beginning and
 * does nothing with them. It shows what the broker and this machine deliver to a client
 * without kafkajs's costs. Kafka 4.x moved kafka-consumer-perf-test into kafka-tools, which
 * the broker's runtime closure does not include; this is the same measurement in 60 lines.
 *
 *   java -cp '.cache/kafka/4.4.0/libs/*' scripts/optical/ConsumeBaseline.java \
 *     127.0.0.1:9092 topic 3000 [fetchMaxBytes] [maxPartitionFetchBytes]
 *
 * The topic is read twice, the second time after seeking back to the beginning: the first pass
 * warms the JIT. Prints one JSON line for the second pass: messages, bytes, joinSec (subscribe
 * to the first record of the first pass), wallSec (first to last record) and cpuSec (this JVM's
 * CPU time over the same span, all threads).
 */
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class ConsumeBaseline {
  public static void main(String[] args) {
    String bootstrap = args[0];
    String topic = args[1];
    long count = Long.parseLong(args[2]);
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", "java-baseline-" + System.nanoTime());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("fetch.max.bytes", args.length > 3 ? args[3] : "10485760");
    props.put("max.partition.fetch.bytes", args.length > 4 ? args[4] : "10485760");
    props.put("max.poll.records", "10000");
    props.put("receive.buffer.bytes", "-1"); // the OS default, not the client default of 64 kB
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      long start = System.nanoTime();
      consumer.subscribe(List.of(topic));
      double joinSec = 0;
      long n = 0, bytes = 0, first = 0, last = 0, cpuStart = 0;
      for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) consumer.seekToBeginning(consumer.assignment());
        n = 0;
        bytes = 0;
        while (n < count) {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(1000));
          for (ConsumerRecord<byte[], byte[]> record : records) {
            if (n == 0) {
              first = System.nanoTime();
              cpuStart = os.getProcessCpuTime();
              if (pass == 0) joinSec = (first - start) / 1e9;
            }
            n++;
            bytes += record.value() == null ? 0 : record.value().length;
          }
          if (!records.isEmpty()) last = System.nanoTime();
        }
      }
      double cpuSec = (os.getProcessCpuTime() - cpuStart) / 1e9;
      System.out.printf(
          "{\"messages\":%d,\"bytes\":%d,\"joinSec\":%.4f,\"wallSec\":%.4f,\"cpuSec\":%.4f}%n",
          n, bytes, joinSec, (last - first) / 1e9, cpuSec);
    }
  }
}
