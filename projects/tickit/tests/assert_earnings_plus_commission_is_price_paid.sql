-- the seller's earnings and TICKIT's commission add up to what the buyer paid

select sale_id
from {{ ref('stg_tickit__sales') }}
where earnings + commission <> price_paid
