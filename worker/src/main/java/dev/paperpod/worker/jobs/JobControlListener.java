package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.MalformedMessageException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobCancel;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Hears every cancel: each worker reads the whole control topic in a consumer group of its own, from where it stood
 * when it started (a job canceled earlier that still reaches it runs, and its events are ignored: the job's row is
 * CANCELED already).
 */
@Component
class JobControlListener {

    private static final Logger log = LoggerFactory.getLogger(JobControlListener.class);

    private final JobCancels cancels;

    JobControlListener(JobCancels cancels) {
        this.cancels = cancels;
    }

    @KafkaListener(
            id = "job-control",
            topics = "#{T(dev.paperpod.schemas.Topics).JOB_CONTROL}",
            groupId = "paperpod-worker-control-#{@workerId}",
            properties = {"auto.offset.reset=latest", "fetch.max.wait.ms=50"})
    void onControl(ConsumerRecord<String, byte[]> record) {
        JobCancel cancel;
        try {
            cancel = Wire.read(record.value(), JobCancel.class);
        } catch (MalformedMessageException e) {
            throw new PoisonRecordException("a malformed control record", e);
        }
        log.info("Job {} canceled", cancel.jobId());
        cancels.cancel(cancel.jobId());
    }
}
