package dev.prefixrouter.admission;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/admission} on the management port: request memory in use against its budget, requests admitted
 * and waiting, and refusals by reason.
 */
@Component
@Endpoint(id = "admission")
public class AdmissionEndpoint {

    private final AdmissionControl admission;

    public AdmissionEndpoint(AdmissionControl admission) {
        this.admission = admission;
    }

    @ReadOperation
    public AdmissionControl.Usage read() {
        return admission.usage();
    }
}
